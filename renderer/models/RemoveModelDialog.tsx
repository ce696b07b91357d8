/** Confirms removing a model from the library; its folder on disk stays. */
import type { Model, Result } from '../../preload/contract';
import { ConfirmDestructiveDialog } from '../components/ConfirmDestructiveDialog';

interface RemoveModelDialogProps {
  model: Model | null;
  onClose(): void;
  onConfirm(model: Model): Promise<Result<unknown>>;
}

export function RemoveModelDialog({ model, onClose, onConfirm }: RemoveModelDialogProps) {
  if (!model) {
    return null;
  }
  return (
    <ConfirmDestructiveDialog open title="Remove model?" confirmLabel="Remove" onClose={onClose} onConfirm={() => onConfirm(model)}>
      Remove “{model.name}” from the studio? Its folder ({model.path}) stays on disk, and the images it made stay in the gallery;
      import the folder again to use it.
    </ConfirmDestructiveDialog>
  );
}
