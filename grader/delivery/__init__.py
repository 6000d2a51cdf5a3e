"""How a class's work arrives, turned into what the grader reads.

A class (or one student) arrives as folders, notebooks and .zip files: laid out by hand, as a
learning platform's bulk download (Canvas, PrairieLearn, Moodle, Blackboard, Brightspace), or as
Gradescope's "Export Submissions" zip. This part turns what the instructor names on the command
line into units, each one student's submission (a notebook, or that student's exercise
notebooks) with who it is (a name, the platform's id or login, Canvas's late mark, the files it
came from), the exercises it covers, and notes (what was skipped as debris, which scratch copies
and older uploads were ignored, why files were grouped).

Modules, one job each: zips (untrusted archives, extracted under limits), debris (files no
student wrote), copies (JupyterLab and browser duplicates, Untitled notebooks), lms_names (the
platforms' download file names, one declaration each; canvas_names reads Canvas's),
gradescope_export (submission_metadata.yml), units (the
unit and the identity), students (which of one student's notebooks are graded), walk (folders
and zips read in place), layouts (what a folder holds decides what it is), intake (the
declared steps from command-line paths to units)."""
