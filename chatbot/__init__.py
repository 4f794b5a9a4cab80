"""An FAQ question-answering bot that quotes its knowledge base and cites the source."""

__version__ = "0.1.0"
