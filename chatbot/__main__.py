"""Lets `python -m chatbot` run the command-line interface."""

from chatbot.cli import main

main()
