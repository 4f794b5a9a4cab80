"""The rules every knowledge folder starts from: red flags, small talk and general scope.

A folder's own files add to these or replace an entry by name; none can remove one.
"""

from pathlib import Path

FOLDER = Path(__file__).parent
RED_FLAGS = FOLDER / "safety.yaml"
SMALLTALK = FOLDER / "smalltalk.yaml"
SCOPE = FOLDER / "scope.yaml"
SYNONYMS = FOLDER / "synonyms.yaml"
