"""Small learned models shipped inside the package, and the code that builds their training data.

The models are trained by ``scripts/train_models.py`` (LightGBM and scikit-learn, fixed seeds)
and stored as JSON in ``receiptflow/learned/data``; at run time they are evaluated with numpy
alone (``trees``), so extraction never imports the training libraries.
"""
