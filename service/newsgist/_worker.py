"""Entry point of an extraction worker process (see ``newsgist.workers``).

The worker serves the jobs of ``newsgist.pipeline``; it warms up by reading a small
page, so that what extraction loads lazily is loaded before the first real page."""

import sys

from newsgist.pipeline import prepare_html
from newsgist.workers import worker_main

WARM_UP_PAGE = ("<html lang='en'><head><title>Warm-up</title></head><body><article>"
                + "<p>The council met on Monday to discuss the budget for next year. "
                  "Members agreed to spend more on buses and less on roads.</p>" * 4
                + "</article></body></html>")


def warm_up() -> None:
    prepare_html(WARM_UP_PAGE)


if __name__ == "__main__":
    worker_main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0, warm_up)
