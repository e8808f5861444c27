/// Input preprocessing modes, exactly as `keras.applications.imagenet_utils.preprocess_input`
/// computes them on RGB pixel values in [0, 255]:
/// - `caffe`: RGB→BGR, then subtract the ImageNet mean [103.939, 116.779, 123.68] (BGR);
///   VGG, ResNet50.
/// - `tf`: x / 127.5 − 1, to [−1, 1]; MobileNetV2.
/// - `torch`: x / 255, then (x − [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225];
///   torchvision weights.
/// - `none`: unchanged.
public enum Preprocessing: String, Sendable, CaseIterable, Codable {
  case caffe, tf, torch, none
}
