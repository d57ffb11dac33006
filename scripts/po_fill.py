"""Fill translations into an area's zh_CN catalog from a JSON object {msgid: msgstr}.

    python scripts/po_fill.py AREA FILE.json
"""
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
area, source = sys.argv[1], sys.argv[2]
path = ROOT / "grants" / area / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
mapping = json.loads(Path(source).read_text(encoding="utf-8"))
with path.open("rb") as fh:
    catalog = read_po(fh, locale="zh_Hans_CN")
for message in catalog:
    if message.id and message.id in mapping:
        message.string = mapping[message.id]
        message.flags.discard("fuzzy")
with path.open("wb") as fh:
    write_po(fh, catalog, width=0)
missing = [m.id for m in catalog if m.id and not m.string]
print(f"{area}: {len(missing)} untranslated")
for m in missing:
    print("  ", json.dumps(m, ensure_ascii=False))
