"""Self-check exercises for the notebooks.

``checks_NN`` holds the check functions notebook NN imports (``from exercises.checks_03 import check_3_1``): each
takes the student's answer and returns a :class:`~exercises.feedback.Feedback` that says right or wrong and, when
wrong, gives a hint rather than the answer. ``solutions_NN`` holds reference answers, kept out of the notebooks;
the tests run them through the checks. Nothing here imports ``nn``.
"""
