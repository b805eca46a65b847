// Moddable entry module ("main"): hands over to the device application, which is
// named by its path so that its relative imports resolve like they do under Node.
import "hal/moddable/app";
