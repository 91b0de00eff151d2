"""The reader: a small cross-encoder trained by citebot (from all-MiniLM-L6-v2, on public SQuAD 2.0 data) that
reads a question against one candidate sentence and scores how likely that sentence answers it.

``pairs`` builds training pairs, ``train`` trains and exports the model (``citebot train-reader``), ``model``
runs the shipped ONNX file, ``calibrator`` turns the reader's score and the retrieval evidence into one
calibrated probability.
"""
