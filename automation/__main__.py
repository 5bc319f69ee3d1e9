import sys

from automation.cli import main

sys.exit(main())
