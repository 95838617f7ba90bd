"""Entry point for ``python -m lib_parseq``."""

import sys

from lib_parseq.cli import main

sys.exit(main())
