"""The image path: any input to binary ink, digit candidates, their 28x28 inputs and line images. No models.

`loading` decodes what a user gives; `pipeline.analyse` runs the stages in
order: `binarize`, `cleanup`, `straighten`, `segment` (with `components`,
`merging` and `cutting`) and `normalize`; `lines` cuts each line for the
line recognizer. `drawing` makes the debug view's pictures and `orderstats`
the medians and percentiles the stages share.
"""
