"""Training and export code for spinscope's shipped models.

Run the scripts as modules from the repository root, e.g. ``python -m training.train --recipe
training/recipes/shipped.toml``; they import one another as ``training.<name>`` and spinscope itself from its
(editable) installation. Experiments that are not on the shipping path live in ``research/``.
"""
