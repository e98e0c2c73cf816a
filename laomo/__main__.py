import sys

from laomo.cli import run

sys.exit(run())
