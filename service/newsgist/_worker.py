"""Entry point of an extraction worker process (see ``newsgist.workers``)."""

import sys

from newsgist.workers import worker_main

if __name__ == "__main__":
    worker_main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0)
