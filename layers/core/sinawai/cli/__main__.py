"""``python -m sinawai.cli``: the ``sinawai`` command."""

import sys

from sinawai.cli import main

sys.exit(main())
