"""Lambda entry (``app.lambda_handler``) of the benchmark's comparison recipe, in ``bench_recipe.py``."""

from local_stack.bench_recipe import lambda_handler

__all__ = ["lambda_handler"]
