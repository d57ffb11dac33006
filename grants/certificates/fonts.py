"""The fonts a certificate embeds, and faster copies of them.

The Noto CJK collections hold 65,535 glyphs per face; WeasyPrint subsets the
font for every PDF it writes, and with that many glyphs the subsetting (and
compressing the result) costs most of a render. So the first render prepares,
once per machine, copies of the Simplified Chinese face holding common
characters only, cached under ``instance/certificate-fonts/``:

* ``<Family>``: ASCII, Latin-1, punctuation and symbols, and the 3,755
  characters of GB 2312 level 1 (the frequent ones): about 4,600 glyphs;
* ``<Family>More``: GB 2312 level 2 (3,008 less frequent characters);
* ``<Family>Full``: the font itself, for a character outside both (a rare
  character in a name), embedded then too.

WeasyPrint subsets with HarfBuzz keeping glyph ids, so an embedded subset
carries an (empty) entry for every glyph up to the highest one used: a face of
4,600 glyphs embeds about half the bytes of one of 8,600, and the PDF writer
compresses half as much. The copies also drop the vertical metrics (``vmtx``,
``vhea``, ``VORG``), a quarter of each embedded subset, which horizontal text
never reads.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from flask import current_app

PREPARED_VERSION = "2"  # change when the character set or the options change
_lock = threading.Lock()


def _gb2312(rows: range) -> set[int]:
    chars = set()
    for first in (0xA0 + row for row in rows):
        for second in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([first, second]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


def basic_characters() -> set[int]:
    """GB 2312 symbols (rows 1-9) and level 1 (rows 16-55), ASCII and Latin-1, general
    punctuation, letter-like symbols and number forms, CJK punctuation, fullwidth forms."""
    chars = _gb2312(range(1, 10)) | _gb2312(range(16, 56))
    for start, end in ((0x20, 0x7F), (0xA0, 0x180), (0x2000, 0x2070), (0x2100, 0x2200), (0x2460, 0x2500),
                       (0x25A0, 0x2700), (0x3000, 0x3040), (0xFF00, 0xFFF0)):
        chars.update(range(start, end))
    return chars


def more_characters() -> set[int]:
    """GB 2312 level 2 (rows 56-87)."""
    return _gb2312(range(56, 88)) - basic_characters()


def common_characters() -> set[int]:
    """Every character the prepared copies hold."""
    return basic_characters() | more_characters()


PARTS = {"basic": basic_characters, "more": more_characters}


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


def _build(source: Path, target: Path, part: str) -> None:
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
    options.drop_tables = [*options.drop_tables, "vmtx", "vhea", "VORG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=PARTS[part]())
    subsetter.subset(font)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
    font.save(str(temporary))
    os.replace(temporary, target)


def prepared(source: Path, part: str = "basic") -> Path:
    """The ``part`` ("basic" or "more") copy of ``source``, built on first use (tens of seconds)."""
    stat = source.stat()
    key = hashlib.sha256(f"{PREPARED_VERSION}:{part}:{source.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    folder = Path(current_app.instance_path) / "certificate-fonts"
    target = folder / f"{source.stem}-{part}-{key.hexdigest()[:12]}.otf"
    if not target.exists():
        with _lock:
            if not target.exists():
                folder.mkdir(parents=True, exist_ok=True)
                _build(source, target, part)
    return target


def font_faces() -> list[tuple[str, Path]]:
    """(CSS family, file) for every face the stylesheet declares: each configured
    font as ``<Family>`` and ``<Family>More`` (the prepared copies) and ``<Family>Full``
    (the font itself)."""
    config = current_app.config
    faces = []
    for family, setting in (("CertSerif", "CERT_FONT_SERIF"), ("CertSans", "CERT_FONT_SANS")):
        source = Path(config[setting])
        if config.get("CERT_FONT_PREPARE", True):
            faces += [(family, prepared(source, "basic")), (f"{family}More", prepared(source, "more"))]
        else:
            faces += [(family, source), (f"{family}More", source)]
        faces.append((f"{family}Full", source))
    return faces
