"""citebot.training: retrain and export the reader and the highlighter that ``qa.reader`` loads at answer time.

Training imports ``qa`` (the answerers, retrieval, the model formats); ``qa`` never imports training. The shipped
model folders and their sha256 checks stay in ``qa/reader/model`` and ``qa/reader/highlighter``.

    citebot train-reader [--out qa/reader/model]          # python -m training.pipeline
    citebot train-highlighter [--out qa/reader/highlighter]
    python -m training.pipeline --refit --out qa/reader/model   # the calibrator and card only
"""
