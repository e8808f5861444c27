import ArgumentParser
import Augment
import Dataset
import Features
import Foundation
import HDF5
import ImageIO
import KerasIO
import Layers
import Models
import Reports
import Runtime
import TensorCore
import TorchIO
import Training
import Workflow

/// The exit statuses of `ftune`, after sysexits(3); the one place errors map to them.
enum ExitStatus {
  /// A bad flag, option value or recipe key (EX_USAGE): fix the command line.
  static let usage: Int32 = 64
  /// A missing, damaged or unsuitable input file or folder (EX_DATAERR): fix the data.
  static let data: Int32 = 65
  /// A weights download could not reach its server or stopped (EX_UNAVAILABLE): go online,
  /// rerun to resume, or put the file in place by hand.
  static let unavailable: Int32 = 69
  /// Something ftune could not write (EX_IOERR): check the path, space and permissions.
  static let io: Int32 = 74
  /// An internal inconsistency (EX_SOFTWARE): a bug in ftune, please report it.
  static let software: Int32 = 70

  /// The status for an error a command threw; nil for errors ftune does not know
  /// (ArgumentParser's own, such as a help request, which it reports itself).
  static func code(for error: any Error) -> Int32? {
    switch error {
    case let e as WorkflowError:
      switch e {
      case .unknownRecipeKey, .unknownFlag, .flagWithoutValue, .recipe, .missingOption,
        .badValue:
        return usage
      case .runDirectory: return io
      case .missingFile, .noWeightsKnown, .notARun, .noImages, .classFolders: return data
      }
    case let e as WeightsDownloadError:
      if case .hashMismatch = e { return data }
      return unavailable
    case let e as TrainingError:
      switch e {
      case .badOption: return usage
      case .emptyDataset, .labelOutOfRange, .checkpoint, .nonFiniteLoss: return data
      case .outputShape: return software
      }
    case is FreezeError: return usage
    case let e as ZooError:
      switch e {
      case .unknownBase, .inputTooSmall, .invalidOption: return usage
      }
    case let e as AugmentError:
      if case .badStatistics = e { return data }
      return usage
    case let e as ImageError:
      switch e {
      case .writeFailed: return io
      case .invalidSize, .invalidGeometry: return software
      default: return data
      }
    case let e as DatasetError:
      if case .invalidSplit = e { return usage }
      return data
    case let e as HDF5Error:
      if case .cannotCreate = e { return io }
      // Writing a dataset or attribute failed: the disk, not the data.
      if case .operationFailed(_, _, let operation) = e,
        operation.hasPrefix("write") || operation.hasPrefix("create")
      {
        return io
      }
      return data
    case let e as ReportError:
      if case .writeFailed = e { return io }
      return software
    case let e as FeatureError:
      if case .countMismatch = e { return software }
      return data
    case is AtomicFileError: return io
    case is KerasIOError, is TorchCheckpointError, is TorchImportError, is WeightAssignmentError,
      is ImportTorchFailure:
      return data
    case let e as CocoaError:
      // Foundation's file-write codes are 512...767 (NSFileWriteErrorMinimum...Maximum).
      return (512...767).contains(e.code.rawValue) ? io : data
    case is POSIXError: return io
    case is TensorError, is LayerError, is GraphError, is LossError, is OptimizerError,
      is GradientCheckError:
      return software
    default: return nil
    }
  }

  /// Help text listing the statuses (`ftune --help`).
  static let help = """
    Exit status:
      0        success
      64       usage error: a bad flag, option value or recipe key
      65       data error: a missing or damaged image, weights, model or
               cache file, an empty class folder
      74       cannot write an output (folder, permissions, disk space)
      70       internal error (please report it)
      130/143  stopped by Ctrl-C/SIGTERM after the current batch; the
               message says how to resume
    """
}
