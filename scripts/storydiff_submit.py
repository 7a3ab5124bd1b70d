"""``storydiff`` for spark-submit, which runs a Python file rather than a console script.

    spark-submit [spark options] scripts/storydiff_submit.py spark-stories --input PATH --output DIR

Everything after the file name is passed to ``storydiff`` as on the command
line (``--setting NAME VALUE`` before ``spark-stories``); spark-submit's
``--master`` and ``--conf`` decide where the job runs.
"""

import sys

from storydiff.cli import main

if __name__ == "__main__":
    sys.argv = ["storydiff", *sys.argv[1:]]
    main()
