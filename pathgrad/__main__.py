"""``python -m pathgrad``: the same as the ``pathgrad`` console script."""

import sys

from .cli import main

sys.exit(main())
