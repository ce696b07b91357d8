/**
 * The prompt composer, docked under the board canvas: the prompt with its `<image>` chips, the token
 * meter, task templates, parameters and presets, and Generate (also Ctrl/⌘+Enter anywhere on the
 * Studio page). It registers itself with the composer bridge so the canvas and the gallery can add
 * chips, restore a result's prompt and parameters, or generate.
 *
 * Nothing typed is lost: the prompt is kept per board and the parameters globally in localStorage,
 * and a refused generation leaves both as they were.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { Board, ImageMetadata, Preset, StudioError } from '../../preload/contract';
import { useRoute } from '../navigation/useRoute';
import { formatCombo } from '../shortcuts/shortcut-list';
import { platformIsMac } from '../shortcuts/useKeyboardShortcut';
import { canvasItemMime, readDrag, type CanvasItemDrag } from '../state/drag-types';
import { useBoardItemsStore } from '../state/board-items-store';
import { useModels } from '../state/useModels';
import { useStudioClient } from '../state/studio-client-context';
import { useComposerBridge, type ComposerHandle } from '../studio/composer-bridge';
import { fromPresetParams, matchingPreset, paramProblems, resolveCount, resolveSampling, samplingToDraft, toPresetParams, withField } from './composer-params';
import { loadParams, saveParams } from './composer-storage';
import { ModelSelect, ParametersRow } from './ParametersRow';
import { PresetControls } from './PresetControls';
import { PromptEditor } from './PromptEditor';
import { isBlank, promptProblems } from './prompt-problems';
import { boundItemIds, fromPromptString, imageSegments, promptLength, references, replaceRange, toPromptString, type Segment } from './prompt-segments';
import { seedForRun, type SeedMode } from './seed';
import { applyTemplate, slotCandidates, type TaskTemplate } from './task-templates';
import { TemplateMenu } from './TemplateMenu';
import { TokenMeter } from './TokenMeter';
import { useGenerateShortcut } from './useGenerateShortcut';
import { usePresets } from './usePresets';
import { usePromptDraft } from './usePromptDraft';
import { usePromptMeasure } from './usePromptMeasure';
import { useUnconfirmedItems } from './useUnconfirmedItems';

export const noModelMessage = 'No model installed — import a bundle on the Models page';
const generateKeys = formatCombo({ key: 'Enter', mod: true }, platformIsMac);

/** The composer of one board; it reads the board's items from the BoardItemsProvider around it. */
export function Composer({ board }: { board: Board }) {
  // One composer state per board: switching boards shows that board's draft, with its own undo.
  return <BoardComposer key={board.id} board={board} />;
}

function BoardComposer({ board }: { board: Board }) {
  const client = useStudioClient();
  const bridge = useComposerBridge();
  const { navigate } = useRoute();
  const { models, selected: model, select: selectModel } = useModels();
  const boardId = board.id;
  const boardItems = useBoardItemsStore();
  const { items, byId, descriptions } = boardItems;
  const draft = usePromptDraft(boardId);
  const presets = usePresets();
  const problemsId = useId();

  const assetUrl = useCallback((sha256: string, size: number) => client.assetUrl(sha256, size), [client]);
  const [params, setParams] = useState(loadParams);
  const [focusRequest, setFocusRequest] = useState(0);
  const [pending, setPending] = useState(false);
  const [enqueueError, setEnqueueError] = useState<StudioError | null>(null);
  const [lastRun, setLastRun] = useState<{ seed: string; count: number } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const inFlight = useRef(false);

  useEffect(() => saveParams(params), [params]);

  const { doc } = draft;
  const prompt = toPromptString(doc);
  const chipCount = imageSegments(doc).length;
  const measure = usePromptMeasure(model?.id ?? null, prompt, chipCount);
  const fieldProblems = paramProblems(params, model);
  const unconfirmed = useUnconfirmedItems(doc, boardItems);
  // The budget sentence stays while a new count is on its way, so it does not flicker as one types.
  const budgetProblem = measure.measure?.problem ?? null;
  const problems = [...promptProblems(doc, byId, unconfirmed), ...(budgetProblem === null ? [] : [budgetProblem]), ...Object.values(fieldProblems)];

  const noModel = models !== null && models.length === 0;
  const blank = isBlank(doc);
  const refs = references(doc, (id) => byId?.get(id)?.assetSha256);
  // `refs` is null while the board's items are still being read (no problem to show, nothing to send yet).
  const canGenerate = model !== null && !blank && problems.length === 0 && refs !== null && !pending;
  const presetParams = toPresetParams(params, model);
  const matching = matchingPreset(presets.presets, params, model);

  async function generate() {
    const sampling = resolveSampling(params, model);
    const count = resolveCount(params);
    if (!canGenerate || model === null || refs === null || sampling === null || count === null) {
      setFocusRequest((value) => value + 1);
      return;
    }
    // Two quick Ctrl+Enter presses arrive before the disabled button re-renders: one batch only.
    if (inFlight.current) {
      return;
    }
    inFlight.current = true;
    const { seed, next } = seedForRun(params.seedMode, params.seed);
    setPending(true);
    const result = await client.call('generations:enqueue', {
      modelId: model.id,
      boardId,
      prompt,
      references: refs,
      sourceItemIds: boundItemIds(doc),
      seed,
      count,
      params: sampling,
    });
    inFlight.current = false;
    setPending(false);
    if (!result.ok) {
      setEnqueueError(result.error);
      return;
    }
    setEnqueueError(null);
    setNotice(null);
    setLastRun({ seed, count });
    if (params.seedMode === 'increment') {
      setParams((current) => ({ ...current, seed: next }));
    }
  }

  function applyTemplateToPrompt(template: TaskTemplate) {
    const ids = slotCandidates(doc, items ?? []);
    draft.apply((current) => {
      const applied = applyTemplate(template, ids);
      return { doc: replaceRange(current, { start: 0, end: promptLength(current) }, applied.doc).doc, selection: applied.selection };
    }, 'other');
    setFocusRequest((value) => value + 1);
  }

  function addReferenceAtCaret(itemId: string) {
    const at = draft.caret.current;
    draft.apply((current) => replaceRange(current, at, [{ kind: 'image', itemId }]), 'other');
    // Several items added in one go line up in order, before the editor reports the new caret.
    draft.caret.current = { start: at.start + 1, end: at.start + 1 };
  }

  function restore(metadata: ImageMetadata, referenceItemIds: (string | null)[]) {
    const missing = metadata.references.map((reference, index) => (referenceItemIds[index] ? undefined : reference.sha256));
    const restored: Segment[] = fromPromptString(metadata.prompt, referenceItemIds, missing);
    draft.apply((current) => replaceRange(current, { start: 0, end: promptLength(current) }, restored), 'other');
    setParams((current) => ({ ...current, seedMode: 'fixed', seed: metadata.seed, sampling: samplingToDraft(metadata.params) }));
    const installedId = (models ?? []).find((candidate) => candidate.id === metadata.modelId)?.id ?? null;
    if (installedId !== null) {
      selectModel(installedId);
    }
    // Without a bundle hash the image does not say which model made it; then there is nothing to warn about.
    const unknownModel = installedId === null && metadata.bundleSha256 !== null;
    setNotice(unknownModel ? 'The model that made this image is not installed here; Generate uses the model selected below.' : null);
    setEnqueueError(null);
    setFocusRequest((value) => value + 1);
  }

  // The bridge calls whatever this render's functions are; the handle itself stays the same object.
  const latest = useRef({ generate, restore, addReferenceAtCaret });
  useEffect(() => {
    latest.current = { generate, restore, addReferenceAtCaret };
  });
  useEffect(() => {
    const handle: ComposerHandle = {
      addReference: (itemId) => latest.current.addReferenceAtCaret(itemId),
      restore: (metadata, itemIds) => latest.current.restore(metadata, itemIds),
      generate: () => void latest.current.generate(),
    };
    bridge.register(handle);
    return () => bridge.register(null);
  }, [bridge]);

  useGenerateShortcut(() => void latest.current.generate());

  // Leaving Random for an empty seed field starts from the seed used last (or 0), not from nothing.
  const setSeedMode = (mode: SeedMode) =>
    setParams((current) => ({
      ...current,
      seedMode: mode,
      seed: current.seed === '' && mode !== 'random' ? (lastRun?.seed ?? '0') : current.seed,
    }));

  return (
    <Box
      component="section"
      role="region"
      aria-label="Prompt composer"
      onDragOver={(event) => {
        // A board item dropped anywhere on the composer goes in at the caret (the prompt itself takes drops on it).
        if (Array.from(event.dataTransfer.types).includes(canvasItemMime)) {
          event.preventDefault();
          event.dataTransfer.dropEffect = 'copy';
        }
      }}
      onDrop={(event) => {
        const dragged = readDrag<CanvasItemDrag>(event.dataTransfer, canvasItemMime);
        if (dragged !== null && typeof dragged.itemId === 'string') {
          event.preventDefault();
          addReferenceAtCaret(dragged.itemId);
        }
      }}
      sx={{ flexShrink: 0, display: 'flex', flexDirection: 'column', gap: 1, p: 1.5, borderTop: 1, borderColor: 'divider', bgcolor: 'background.paper' }}
    >
      {noModel ? (
        <Alert
          severity="info"
          role="status"
          action={
            <Button color="inherit" size="small" onClick={() => navigate('models')}>
              Open Models
            </Button>
          }
        >
          {noModelMessage}
        </Alert>
      ) : null}
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, flexWrap: 'wrap', minWidth: 0 }}>
        <TemplateMenu onApply={applyTemplateToPrompt} />
        <ModelSelect models={models} model={model} onSelectModel={selectModel} />
        <PresetControls
          presets={presets}
          matching={matching}
          current={presetParams}
          onChoose={(preset: Preset) => setParams((current) => fromPresetParams(preset.params, current))}
        />
      </Box>
      <Box sx={{ display: 'flex', alignItems: 'flex-end', gap: 1, minWidth: 0 }}>
        <PromptEditor
          draft={draft}
          items={items}
          itemsById={byId}
          unconfirmed={unconfirmed}
          descriptions={descriptions}
          assetUrl={assetUrl}
          focusRequest={focusRequest}
          invalid={problems.length > 0 && !blank}
          describedBy={problems.length > 0 ? problemsId : undefined}
        />
        <Button
          variant="contained"
          size="large"
          disabled={!canGenerate}
          onClick={() => void generate()}
          title={model === null ? noModelMessage : blank ? 'Write a prompt first' : `Generate (${generateKeys})`}
          sx={{ minWidth: 112, flexShrink: 0 }}
        >
          Generate
        </Button>
      </Box>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, minHeight: 20, minWidth: 0 }}>
        {model !== null ? <TokenMeter state={measure} /> : null}
        <Box sx={{ flex: 1 }} />
        {lastRun !== null ? (
          <Box role="status" sx={{ display: 'flex', alignItems: 'center', gap: 0.5, minWidth: 0 }}>
            <Typography variant="caption" color="text.secondary" noWrap title={lastRun.seed}>
              Queued {lastRun.count === 1 ? '1 image' : `${lastRun.count} images`} · seed {lastRun.seed}
            </Typography>
            {params.seedMode !== 'fixed' || params.seed !== lastRun.seed ? (
              <Button size="small" sx={{ py: 0 }} onClick={() => setParams((current) => ({ ...current, seedMode: 'fixed', seed: lastRun.seed }))}>
                Pin seed
              </Button>
            ) : null}
          </Box>
        ) : null}
      </Box>
      {problems.length > 0 ? (
        <Alert severity="error" id={problemsId} sx={{ py: 0 }}>
          {problems.length === 1 ? (
            problems[0]
          ) : (
            <Box component="ul" sx={{ m: 0, pl: 2 }}>
              {problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </Box>
          )}
        </Alert>
      ) : null}
      {enqueueError !== null ? (
        <Alert severity="error" onClose={() => setEnqueueError(null)} sx={{ py: 0 }}>
          Not queued: {enqueueError.message}
        </Alert>
      ) : null}
      {notice !== null ? (
        <Alert severity="warning" role="status" onClose={() => setNotice(null)} sx={{ py: 0 }}>
          {notice}
        </Alert>
      ) : null}
      <Box sx={{ display: 'flex', alignItems: 'center', columnGap: 2, rowGap: 1.5, flexWrap: 'wrap', pt: 0.5 }}>
        <ParametersRow
          model={model}
          params={params}
          problems={fieldProblems}
          onField={(field, value) => setParams((current) => withField(current, model, field, value))}
          onSeedMode={setSeedMode}
          onReset={() => setParams((current) => ({ ...current, sampling: null }))}
        />
      </Box>
    </Box>
  );
}
