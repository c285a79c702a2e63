"""What people and programs use: the command line (`cli`), the speed benchmark (`bench`) and what the app shows
of readings (`presentation`). Each composes the Reader; none holds image logic of its own."""
