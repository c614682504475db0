"""Which lines do the non-English furniture rules drop that the English rules kept?

    nice -n 10 python bench/furniture_diff.py       # the 181 pages and WCXB dev, when present

Runs ``extract_article`` on every page of the extraction benchmarks and records each
line ``extract.furniture_i18n`` calls furniture while the other rules of
``rules.is_boilerplate_text`` would keep it, and whether that line is in the page's
ground truth.  None at all means the extraction scores cannot have moved.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO  # noqa: E402

DATA = [REPO.parent / "shared" / "data" / name for name in ("extraction", "extraction-wcxb-dev")]


def main(folders: list[Path]) -> None:
    import newsgist.extract.rules as rules
    from newsgist.errors import NoArticle
    from newsgist.extract import extract_article

    real, hits, current = rules.is_i18n_furniture, [], [""]

    def spy(text: str) -> bool:
        found = real(text)
        if found:
            rules.is_i18n_furniture = lambda t: False
            try:
                kept_before = not rules.is_boilerplate_text(text)
            finally:
                rules.is_i18n_furniture = spy
            if kept_before:
                hits.append((current[0], text))
        return found

    rules.is_i18n_furniture = spy
    bodies = {}
    for folder in folders:
        truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
        n = 0
        for pid, gt in truth.items():
            path = folder / "html" / f"{pid}.html.gz"
            if not path.exists():
                continue
            current[0] = f"{folder.name}/{pid}"
            bodies[current[0]] = gt.get("articleBody", "")
            try:
                extract_article(gzip.decompress(path.read_bytes()), url=gt.get("url"))
            except NoArticle:
                pass
            n += 1
        print(f"{folder.name}: {n} pages")
    print(f"{len(hits)} lines dropped that the English rules kept")
    for page, text in hits:
        print(f"  {page} | in the ground truth: {text.strip() in bodies[page]} | {text[:100]}")


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:]]
    main(args or [d for d in DATA if (d / "ground-truth.json").is_file()])
