"""Loads one of scripts/' extensionless Python programs as a module, for the Python tests."""

import importlib.machinery
import importlib.util
import os

SCRIPTS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts")


def load_script(name, module_name):
    """scripts/NAME (a Python file without .py) as a module called module_name."""
    loader = importlib.machinery.SourceFileLoader(module_name, os.path.join(SCRIPTS_DIR, name))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module
