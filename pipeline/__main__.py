import os
import sys

from .cli import EXIT_READER_GONE, main

try:
    sys.exit(main())
except BrokenPipeError:
    # the reader of standard output went away (`| head`): stop quietly, as
    # Unix tools do, and keep Python from complaining again at exit
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(EXIT_READER_GONE)
