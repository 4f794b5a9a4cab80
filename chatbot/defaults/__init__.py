"""The rules every knowledge folder starts from: red flags (and the examples the red-flag
model learns from), small talk and general scope.

A folder's own files add to these or replace an entry by name; none can remove one.
"""

from pathlib import Path

FOLDER = Path(__file__).parent
RED_FLAGS = FOLDER / "safety.yaml"
# What the red-flag model learns from (chatbot/red_flag_model.py).
RED_FLAG_EXAMPLES = FOLDER / "red_flag_examples.yaml"
SMALLTALK = FOLDER / "smalltalk.yaml"
SCOPE = FOLDER / "scope.yaml"
SYNONYMS = FOLDER / "synonyms.yaml"
