"""The three networks and how they run: the digit classifier, the line recognizer, the orientation network, their
files and ONNX Runtime.

Each network takes arrays and gives probabilities; none knows where its
input came from. Their input contracts (`classifier.FIELD_SIZE`,
`line_recognizer.LINE_HEIGHT` and `FRAME_STEP`) are what the image path
prepares for. Nothing here imports TensorFlow unless a model must run
through Keras.
"""
