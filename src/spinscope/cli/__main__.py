"""``python -m spinscope.cli``: the ``spinscope`` command."""

from spinscope.cli import main

main()
