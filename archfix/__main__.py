"""Allow ``python -m archfix``."""

from archfix.cli import main

if __name__ == "__main__":
    main()
