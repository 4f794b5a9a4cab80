"""Lets `python -m chatbot` run the command-line interface."""

from chatbot.cli import main

if __name__ == "__main__":
    main()
