"""What the wheel holds, found rather than listed so that nothing new is left out:
`chatbot` and its subpackages, and the chat page's files.

Those files stay in the top-level web/ folder of the checkout; the wheel carries them
inside the package, as `chatbot/web`, where chatbot/settings.py looks first. Everything
else about the project is in pyproject.toml.
"""

from pathlib import Path

from setuptools import find_packages, setup

WEB = Path("web")  # setuptools runs this file from the project folder
web_packages = ["chatbot.web"] + [
    "chatbot.web." + ".".join(folder.relative_to(WEB).parts)
    for folder in sorted(WEB.rglob("*"))
    if folder.is_dir()
]

setup(
    packages=[*find_packages(include=["chatbot", "chatbot.*"]), *web_packages],
    package_dir={"chatbot.web": str(WEB)},
    package_data={
        # The default replies and rules, whether or not their folder is a package.
        "chatbot": ["defaults/*.yaml"],
        "chatbot.defaults": ["*.yaml"],
        **{package: ["*"] for package in web_packages},
    },
)
