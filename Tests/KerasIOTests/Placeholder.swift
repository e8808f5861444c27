// KerasIO tests live here.
