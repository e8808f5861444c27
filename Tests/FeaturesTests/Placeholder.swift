// Features tests live here.
