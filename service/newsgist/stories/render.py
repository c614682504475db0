"""A digest as text for people: plain (the terminal) or Markdown (with links)."""

from __future__ import annotations

from . import Digest, Source


def _name(source: Source) -> str:
    return source.site or source.title or f"page {source.page + 1}"


def _md(text: str) -> str:
    """Text safe inside Markdown: characters that would start markup are escaped."""
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in " ".join(text.split()))


def _link(label: str, url: str | None) -> str:
    if not url or not url.startswith(("http://", "https://")):
        return _md(label)
    return f"[{_md(label)}](<{url.replace('>', '%3E').replace(' ', '%20')}>)"


def to_markdown(digest: Digest) -> str:
    out: list[str] = []
    for story in digest.stories:
        out.append(f"## {_md(story.title)}")
        out.append("")
        out.append("Sources: " + ", ".join(_link(f"{_name(s)}: {s.title}" if s.title and s.site
                                                 else _name(s), s.url) for s in story.sources))
        out.append("")
        for x in story.sentences:
            names = [_name(story.sources[x.source])] + [_name(story.sources[o]) for o in x.also_in]
            out.append(f"- {_md(x.text)} ({', '.join(_md(n) for n in names)})")
        out.append("")
    for one in digest.singles:
        a = one.summary.article
        label = a.title or one.site or f"page {one.page + 1}"
        out.append(f"## {_link(label, a.url)}" + (f" ({_md(one.site)})" if one.site else ""))
        out.append("")
        out.extend(f"- {_md(s.text)}" for s in one.summary.sentences)
        out.append("")
    if digest.failed:
        out.append("## Not summarized")
        out.append("")
        for f in digest.failed:
            out.append(f"- {_link(f.title or f.url or f'page {f.page + 1}', f.url)}: "
                       f"{_md(f.message)}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def to_text(digest: Digest) -> str:
    """Stories and singles for a terminal (the pages that failed are not listed)."""
    out: list[str] = []
    for story in digest.stories:
        out.append(story.title)
        out.append("  sources: " + ", ".join(_name(s) for s in story.sources))
        for x in story.sentences:
            names = [_name(story.sources[x.source])] + [_name(story.sources[o]) for o in x.also_in]
            out.append(f"  - {x.text} [{', '.join(names)}]")
        out.append("")
    for one in digest.singles:
        out.append(one.summary.article.title or one.site or f"page {one.page + 1}")
        out.extend(f"  - {s.text}" for s in one.summary.sentences)
        out.append("")
    return "\n".join(out).rstrip() + "\n"  # failures: the caller says which file failed
