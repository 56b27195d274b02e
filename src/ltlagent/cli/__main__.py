"""``python -m ltlagent.cli`` runs the ``ltlagent`` command."""

import sys

from ltlagent.cli import main

sys.exit(main())
