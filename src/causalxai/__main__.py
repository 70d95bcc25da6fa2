"""``python -m causalxai``: hands over to :mod:`causalxai.compendium.cli`."""

import sys

from causalxai.compendium.cli import main

if __name__ == "__main__":
    sys.exit(main())
