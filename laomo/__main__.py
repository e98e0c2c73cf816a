import sys

from laomo.cli import main

sys.exit(main())
