"""Rendering and signing an acceptance certificate, against a one-line WeasyPrint page.

Prints, from one process:

* the cold first render (builds the thread's FontConfiguration and parses the
  CJK fonts named by @font-face);
* warm medians of: a minimal one-line HTML page rendered by WeasyPrint (the
  floor of any WeasyPrint render), the certificate rendered, and the
  certificate rendered and signed (PAdES, pyHanko), with their ratios; and the
  certificate rendered against WeasyPrint's whole HTML5 user-agent stylesheet
  instead of ``certificate-ua.css``, to show what that saves;
* resident memory over 200 renders, which stays flat when the font
  configuration is reused (one per thread) rather than rebuilt per render.

    .venv/bin/python bench/certificate_render.py [renders]
"""
from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("GRANTS_ENV", "testing")
os.environ.setdefault("TEST_DATABASE_URL", "sqlite://")

from weasyprint import HTML  # noqa: E402

from config import TestingConfig  # noqa: E402
from grants import create_app  # noqa: E402

VALUES = {
    "number": "XN-JB-2026-0001", "issuer": "市科学技术局", "project_id": 1,
    "project_title": "高精度伺服电机控制算法 揭榜方案", "challenge_title": "高精度伺服电机控制算法",
    "enterprise": "某智能装备有限公司", "organization": "某大学", "lead_name": "张三",
    "award_fen": 40_000_000, "award": "¥400,000.00", "released_fen": 0, "released": "¥0.00",
    "indicators": [
        {"id": 1, "name": "定位精度", "unit": "μm", "target": "0.5", "promised": "0.5", "reached": "0.4", "binding": True},
        {"id": 2, "name": "响应时间", "unit": "ms", "target": "2", "promised": "2", "reached": "1.8", "binding": False},
    ],
    "conclusion": "项目完成了任务书规定的全部考核指标，技术资料齐全，经费使用规范，同意通过验收。",
    "issued_at": "2026-03-02T10:00:00+08:00", "issued_on": "2026年3月2日", "signed_at": "2026-03-02 10:00",
    "signer": "市科学技术局 (development)", "verify_url": "http://127.0.0.1:5000/verify/XN-JB-2026-0001",
}


def interleaved_medians_ms(fns, n: int, timer=time.perf_counter) -> list[float]:
    """Median times of ``fns``, run in turn n times, so that load from other
    processes on a shared machine falls on all of them alike. ``time.process_time``
    as the timer counts this process's CPU time only: steadier on a loaded machine."""
    times = [[] for _ in fns]
    for _ in range(n):
        for fn, bucket in zip(fns, times):
            start = timer()
            fn()
            bucket.append(timer() - start)
    return [statistics.median(bucket) * 1000 for bucket in times]


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main(renders: int = 200) -> None:
    from grants.certificates import pdf, signing

    app = create_app(TestingConfig)
    with app.app_context():
        key = signing.bureau_key()
        start = time.perf_counter()
        pdf.render_pdf(VALUES)
        cold = (time.perf_counter() - start) * 1000
        HTML(string="<p>hello</p>").write_pdf()  # warm WeasyPrint's own caches too

        unsigned = pdf.render_pdf(VALUES)
        runs = [
            lambda: HTML(string="<p>hello</p>").write_pdf(),
            lambda: pdf.render_pdf(VALUES),
            lambda: signing.sign_pdf(unsigned, key),
            lambda: signing.sign_pdf(pdf.render_pdf(VALUES), key),
            lambda: pdf._write_pdf(pdf.render_html(VALUES), "certificate.css", HTML),
        ]
        size = len(signing.sign_pdf(unsigned, key))
        print(f"cold first render           {cold:8.1f} ms")
        print(f"load average                {os.getloadavg()[0]:8.1f}   (on {os.cpu_count()} cores)")
        for label, timer in (("wall", time.perf_counter), ("cpu", time.process_time)):
            one_line, render, sign, both, full_ua = interleaved_medians_ms(runs, 25, timer)
            print(f"[{label}] one-line page (WeasyPrint)  {one_line:8.1f} ms   1.0x")
            print(f"[{label}] certificate render          {render:8.1f} ms  {render / one_line:5.1f}x   (target < 100 ms)")
            print(f"[{label}] certificate render + sign   {both:8.1f} ms  {both / one_line:5.1f}x   (target < 150 ms)")
            print(f"[{label}] signing alone               {sign:8.1f} ms")
            print(f"[{label}] render, WeasyPrint's UA css {full_ua:8.1f} ms  {full_ua / one_line:5.1f}x")
        print(f"signed PDF size             {size / 1024:8.1f} KB")

        marks = {}
        for i in range(1, renders + 1):
            pdf.render_pdf(VALUES)
            if i in (1, renders // 4, renders // 2, renders * 3 // 4, renders):
                gc.collect()  # garbage awaiting a full collection is not a leak; read what stays
                marks[i] = rss_mb()
        print("resident memory over renders: " + ", ".join(f"{i}: {mb:.0f} MB" for i, mb in marks.items()))
        print(f"growth from render 1 to {renders}: {marks[renders] - marks[1]:+.1f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
