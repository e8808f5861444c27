#ifndef FTUNE_CHDF5_SHIM_H
#define FTUNE_CHDF5_SHIM_H
#include <hdf5.h>

// HDF5's "constants" are macros that expand to global ids initialised by H5open();
// Swift cannot import them, so each one is wrapped in a static inline function.
static inline hid_t ftune_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t ftune_H5S_ALL(void) { return H5S_ALL; }
static inline unsigned ftune_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned ftune_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned ftune_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned ftune_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }
static inline hid_t ftune_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t ftune_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t ftune_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t ftune_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t ftune_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t ftune_H5T_NATIVE_HSIZE(void) { return H5T_NATIVE_HSIZE; }
static inline hid_t ftune_H5T_C_S1(void) { return H5T_C_S1; }
static inline hid_t ftune_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t ftune_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t ftune_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline hsize_t ftune_H5S_UNLIMITED(void) { return H5S_UNLIMITED; }
static inline size_t ftune_H5T_VARIABLE(void) { return H5T_VARIABLE; }

/// Silences HDF5's default error printing to stderr: ftune reports errors itself.
static inline void ftune_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/// Frees the strings H5Aread/H5Dread allocated for variable-length string data
/// (H5Dvlen_reclaim before HDF5 1.12, H5Treclaim after).
static inline herr_t ftune_h5_reclaim(hid_t type, hid_t space, void *buf) {
#if H5_VERSION_GE(1, 12, 0)
  return H5Treclaim(type, space, H5P_DEFAULT, buf);
#else
  return H5Dvlen_reclaim(type, space, H5P_DEFAULT, buf);
#endif
}

/// A file-access property list that closes every open object with the file, so a file
/// written by ftune is complete on disk before it is renamed into place.
static inline hid_t ftune_h5_strong_close_fapl(void) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl >= 0) { H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG); }
  return fapl;
}

/// The file address of an object's header (H5Oget_info's `addr`; a token after 1.12).
static inline herr_t ftune_h5_object_address(hid_t object, haddr_t *address) {
#if H5_VERSION_GE(1, 12, 0)
  H5O_info2_t info;
  if (H5Oget_info3(object, &info, H5O_INFO_BASIC) < 0) { return -1; }
  return H5VLnative_token_to_addr(object, info.token, address);
#else
  H5O_info_t info;
  if (H5Oget_info2(object, &info, H5O_INFO_BASIC) < 0) { return -1; }
  *address = info.addr;
  return 0;
#endif
}

static inline herr_t ftune_h5_refuse_external_link(
    const char *parent_file, const char *parent_group, const char *child_file,
    const char *child_object, unsigned *flags, hid_t fapl, void *data) {
  return -1;
}

/// An access property list of `cls` (H5P_GROUP_ACCESS, H5P_DATASET_ACCESS):
/// file-only refuses to traverse any external link (even one reached through a soft link);
/// otherwise external files, external links and virtual sources are looked up next to the
/// file that names them ("${ORIGIN}"), not in the working directory.
static inline hid_t ftune_h5_access_plist(hid_t cls, int file_only) {
  hid_t plist = H5Pcreate(cls);
  if (plist < 0) { return plist; }
  if (file_only) {
    H5Pset_elink_cb(plist, ftune_h5_refuse_external_link, NULL);
    H5Pset_nlinks(plist, 16);
  } else {
    H5Pset_elink_prefix(plist, "${ORIGIN}");
    if (cls == H5P_DATASET_ACCESS) {
      H5Pset_efile_prefix(plist, "${ORIGIN}");
      H5Pset_virtual_prefix(plist, "${ORIGIN}");
    }
  }
  return plist;
}
static inline hid_t ftune_H5P_GROUP_ACCESS(void) { return H5P_GROUP_ACCESS; }
static inline hid_t ftune_H5P_DATASET_ACCESS(void) { return H5P_DATASET_ACCESS; }
static inline haddr_t ftune_HADDR_UNDEF(void) { return HADDR_UNDEF; }

#endif
