"""The fonts a certificate embeds, and a faster copy of them.

The Noto CJK collections hold 65,535 glyphs per face; WeasyPrint subsets the
font for every PDF it writes, and with that many glyphs the subsetting (and
compressing the result) costs most of a render. So the first render prepares,
once per machine, a copy of the Simplified Chinese face holding the common
characters only (GB 2312, Latin, punctuation and symbols: about 8,600 glyphs),
cached under ``instance/certificate-fonts/``. The stylesheet names that copy
first and the full font after it, so a character outside the common set (a
rare character in a name) still comes from the full font, embedded then too.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from flask import current_app

PREPARED_VERSION = "1"  # change when the character set or the options change
_lock = threading.Lock()


def common_characters() -> set[int]:
    """GB 2312 (all 7,445 characters and symbols), ASCII and Latin-1, general
    punctuation, letter-like symbols and number forms, CJK punctuation, fullwidth forms."""
    chars = set()
    for first in range(0xA1, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([first, second]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    for start, end in ((0x20, 0x7F), (0xA0, 0x180), (0x2000, 0x2070), (0x2100, 0x2200), (0x2460, 0x2500),
                       (0x25A0, 0x2700), (0x3000, 0x3040), (0xFF00, 0xFFF0)):
        chars.update(range(start, end))
    return chars


def _face_index(source: Path) -> int:
    """The Simplified Chinese face of a collection (``... SC``), else the first."""
    from fontTools.ttLib import TTCollection

    if source.suffix.lower() not in (".ttc", ".otc"):
        return -1
    collection = TTCollection(str(source), lazy=True)
    for index, face in enumerate(collection.fonts):
        if face["name"].getDebugName(4).endswith(" SC"):
            return index
    return 0


def _build(source: Path, target: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    index = _face_index(source)
    font = TTFont(str(source), fontNumber=index) if index >= 0 else TTFont(str(source))
    options = subset.Options()
    options.desubroutinize = True
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.layout_features = []
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=common_characters())
    subsetter.subset(font)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
    font.save(str(temporary))
    os.replace(temporary, target)


def prepared(source: Path) -> Path:
    """The common-characters copy of ``source``, built on first use (tens of seconds)."""
    stat = source.stat()
    key = hashlib.sha256(f"{PREPARED_VERSION}:{source.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    folder = Path(current_app.instance_path) / "certificate-fonts"
    target = folder / f"{source.stem}-common-{key.hexdigest()[:12]}.otf"
    if not target.exists():
        with _lock:
            if not target.exists():
                folder.mkdir(parents=True, exist_ok=True)
                _build(source, target)
    return target


def font_faces() -> list[tuple[str, Path]]:
    """(CSS family, file) for every face the stylesheet declares: each configured
    font as ``<Family>`` (the prepared copy) and ``<Family>Full`` (the font itself)."""
    config = current_app.config
    faces = []
    for family, setting in (("CertSerif", "CERT_FONT_SERIF"), ("CertSans", "CERT_FONT_SANS")):
        source = Path(config[setting])
        faces.append((family, prepared(source) if config.get("CERT_FONT_PREPARE", True) else source))
        faces.append((f"{family}Full", source))
    return faces
