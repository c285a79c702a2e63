"""How the networks are made: training data, augmentation, synthetic number fields, and the commands that train,
fine-tune and evaluate the networks and draw the sample images.

Nothing in a read passes through here. Training needs TensorFlow (imported
only inside the commands that train); the data loaders read local files.
"""
