"""spinscope: find persuasion techniques, voices, quotes and checkable claims in news articles.

>>> import spinscope
>>> analysis = spinscope.analyze("Our brave soldiers will crush the regime's thugs!")
>>> [t.technique for t in analysis.techniques]  # doctest: +SKIP
"""

from __future__ import annotations

# The one version string: pyproject.toml reads it (setuptools dynamic attr), so an editable install never
# reports a stale version from old package metadata.
__version__ = "0.2.0"

from spinscope.document import (
    SCHEMA,
    Analysis,
    Article,
    Claim,
    Quote,
    SentenceVoice,
    Span,
    TechniqueSpan,
)
from spinscope.errors import (
    EmptyInputError,
    FetchError,
    InputError,
    ModelError,
    SpinscopeError,
    UnsafeURLError,
    UnsupportedLanguageError,
)
from spinscope.techniques import TECHNIQUES, Technique, get_technique

# The pipeline pulls in readers (trafilatura, lxml) and segmentation; it is imported on
# first use so that light modules (spinscope.runtime.encoding, spinscope.scoring) load
# without them, e.g. in training scripts on a machine with only torch and tokenizers.
_PIPELINE_NAMES = ("Failure", "analyze", "analyze_many")


def __getattr__(name: str):
    if name in _PIPELINE_NAMES:
        from spinscope import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'spinscope' has no attribute {name!r}")


__all__ = [
    "SCHEMA",
    "TECHNIQUES",
    "Analysis",
    "Article",
    "Claim",
    "EmptyInputError",
    "Failure",
    "FetchError",
    "InputError",
    "ModelError",
    "Quote",
    "SentenceVoice",
    "Span",
    "SpinscopeError",
    "Technique",
    "TechniqueSpan",
    "UnsafeURLError",
    "UnsupportedLanguageError",
    "__version__",
    "analyze",
    "analyze_many",
    "get_technique",
]
