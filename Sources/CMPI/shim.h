#ifndef FTUNE_CMPI_SHIM_H
#define FTUNE_CMPI_SHIM_H
#include <mpi.h>

// OpenMPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM...) are macros over the addresses of
// library globals; Swift cannot import them, so each one is wrapped in a static inline function.
static inline MPI_Comm ftune_MPI_COMM_WORLD(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype ftune_MPI_FLOAT(void) { return MPI_FLOAT; }
static inline MPI_Datatype ftune_MPI_DOUBLE(void) { return MPI_DOUBLE; }
static inline MPI_Datatype ftune_MPI_BYTE(void) { return MPI_BYTE; }
static inline MPI_Datatype ftune_MPI_INT(void) { return MPI_INT; }
static inline MPI_Op ftune_MPI_SUM(void) { return MPI_SUM; }
static inline void *ftune_MPI_IN_PLACE(void) { return MPI_IN_PLACE; }
static inline int ftune_MPI_SUCCESS(void) { return MPI_SUCCESS; }
static inline int ftune_MPI_MAX_ERROR_STRING(void) { return MPI_MAX_ERROR_STRING; }

/// Errors return codes instead of aborting, so ftune can report them in its own words.
static inline void ftune_mpi_errors_return(void) {
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

#endif
