"""`python -m ctxflow.bench`: the benchmark (run.py). Guarded, so importing the package's modules
(an import check, a docs tool) never starts a benchmark against whatever stack is up."""

from .run import main

if __name__ == "__main__":
    main()
