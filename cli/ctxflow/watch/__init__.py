"""`ctxflow watch`: tails the output topics and shows what the models decide, live."""
