"""Stage 1, what failed: the classifier model class, the frozen-feature cache, focal loss, labelled
data, inference and ensembles, temperature calibration, the float-type rule.
"""
