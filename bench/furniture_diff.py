"""Which lines do the non-English furniture rules drop that the English rules kept?

    nice -n 10 python bench/furniture_diff.py       # the 181 pages and WCXB dev, when present
    python bench/furniture_diff.py --smoke          # the stand-ins

Runs ``extract_article`` on every page of the extraction benchmarks and records each
line ``extract.furniture_i18n`` calls furniture while the other rules of
``rules.is_boilerplate_text`` would keep it, and whether that line is in the page's
ground truth.  None at all means the extraction scores cannot have moved.
"""

from __future__ import annotations

from bench_support import BenchArguments, read_pages  # noqa: E402 (the bootstrap)


def main(argv: list[str] | None = None) -> None:
    ap = BenchArguments(__doc__)
    ap.add_data("--data", "extraction")
    ap.add_data("--wcxb", "wcxb", required=False)
    args = ap.parse_args(argv)
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
    for folder in (f for f in (args.data, args.wcxb) if f is not None):
        pages = read_pages(folder)
        for page in pages:
            current[0] = f"{folder.name}/{page.id}"
            bodies[current[0]] = page.truth or ""
            try:
                extract_article(page.html, url=page.url)
            except NoArticle:
                pass
        print(f"{folder.name}: {len(pages)} pages")
    print(f"{len(hits)} lines dropped that the English rules kept")
    for page, text in hits:
        print(f"  {page} | in the ground truth: {text.strip() in bodies[page]} | {text[:100]}")


if __name__ == "__main__":
    main()
