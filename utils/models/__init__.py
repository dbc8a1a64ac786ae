"""Model directories: saving and loading (`checkpoints`), the typed `analyzer_metadata.json`
(`metadata`), the model card, training plumbing shared by the trainers (`training`).
"""
