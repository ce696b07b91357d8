/**
 * The prompt editor: a contenteditable textbox named "Prompt" whose text holds `<image>` chips.
 * The browser never edits the DOM itself: every `beforeinput` is cancelled and turned into an edit
 * of the segment model (prompt-segments.ts), which React renders back, so chips stay atomic, paste
 * is plain text and undo is ours. The one exception is IME composition, which the browser must draw
 * itself: its result is applied when it ends and the editable is rebuilt from the model.
 */
import Box from '@mui/material/Box';
import { useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type ClipboardEvent, type DragEvent, type KeyboardEvent, type ReactNode } from 'react';
import type { BoardItem } from '../../preload/contract';
import type { ItemDescription } from '../canvas/item-labels';
import { platformIsMac } from '../shortcuts/useKeyboardShortcut';
import { canvasItemMime, readDrag, type CanvasItemDrag } from '../state/drag-types';
import { ChipMenu } from './ChipMenu';
import { parseDraft, serializeDraft } from './composer-storage';
import { caretRect, gapText, offsetAtPoint, placeSelection, rangeToSpan, readSelection } from './editor-dom';
import { chipState } from './prompt-problems';
import {
  deleteBackward,
  deleteForward,
  lineBoundary,
  mentionQuery,
  moveChip,
  replaceRange,
  sliceDoc,
  toPromptString,
  wordBoundary,
  type Segment,
  type Span,
} from './prompt-segments';
import { PromptChip, promptChipMime } from './PromptChip';
import { pickerOptionId, ReferencePicker, type PickerOption } from './ReferencePicker';
import type { PromptDraft } from './usePromptDraft';

/** The composer's own clipboard type: copied chips keep their images when pasted back. */
const promptClipboardMime = 'application/x-mentor-prompt';

interface PromptEditorProps {
  draft: PromptDraft;
  items: readonly BoardItem[] | null;
  itemsById: ReadonlyMap<string, BoardItem> | null;
  /** Items that may just have been added and are not listed yet (shown as loading, not deleted). */
  unconfirmed: ReadonlySet<string>;
  descriptions: ReadonlyMap<string, ItemDescription>;
  assetUrl(sha256: string, size: number): string;
  /** Changes when the composer wants the caret in the prompt (after a template, a restore). */
  focusRequest: number;
  invalid: boolean;
  describedBy: string | undefined;
}

type PickerState = { at: number; rect: DOMRect | null; active: number };

const collapsed = (at: number): Span => ({ start: at, end: at });

export function PromptEditor(props: PromptEditorProps) {
  const { draft, items, itemsById, unconfirmed, descriptions, assetUrl, focusRequest, invalid, describedBy } = props;
  const rootRef = useRef<HTMLDivElement | null>(null);
  const listboxId = useId();
  // Rebuilding the editable after an IME composition drops whatever the browser drew into it.
  const [domGeneration, setDomGeneration] = useState(0);
  const [picker, setPicker] = useState<PickerState | null>(null);
  const [chipMenu, setChipMenu] = useState<{ index: number; anchor: HTMLElement } | null>(null);
  const [dropping, setDropping] = useState(false);
  // Bumped when the caret should come back into the prompt (a menu closed after a choice).
  const [focusTick, setFocusTick] = useState(0);
  const composingFrom = useRef<Span | null>(null);
  const focusNext = useRef(false);

  const { doc, selection, selectionSeq, apply: edit } = draft;

  // The selection the event is about: the DOM's, which is current at every event; the draft's otherwise.
  const currentSpan = useCallback((): Span => {
    const root = rootRef.current;
    return (root && readSelection(root)) ?? draft.caret.current;
  }, [draft.caret]);

  // #region The @ picker

  const query = picker === null ? null : mentionQuery(doc, selection.start);
  const pickerOpen = picker !== null && query !== null && query.at === picker.at;
  const options = useMemo<PickerOption[]>(() => {
    if (!pickerOpen || items === null) {
      return [];
    }
    const needle = (query?.query ?? '').toLowerCase();
    return [...items]
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((item) => ({ itemId: item.id, label: descriptions.get(item.id)?.label ?? 'image', thumbnailUrl: assetUrl(item.assetSha256, 64) }))
      .filter((option) => option.label.toLowerCase().includes(needle));
  }, [pickerOpen, items, query?.query, descriptions, assetUrl]);
  const activeOption = picker === null || options.length === 0 ? -1 : Math.min(picker.active, options.length - 1);

  const pick = useCallback(
    (itemId: string) => {
      if (picker === null) {
        return;
      }
      const end = currentSpan().end;
      edit((current) => replaceRange(current, { start: picker.at, end }, [{ kind: 'image', itemId }]), 'other');
      setPicker(null);
    },
    [picker, currentSpan, edit],
  );

  // Where the picker opens: at the caret, measured once the `@` is on screen.
  useLayoutEffect(() => {
    if (picker !== null && picker.rect === null && rootRef.current) {
      const rect = caretRect(rootRef.current);
      setPicker((current) => (current === null ? null : { ...current, rect }));
    }
  }, [picker]);

  // #endregion

  // #region Keyboard and input

  const onBeforeInput = useCallback(
    (event: InputEvent) => {
      if (event.isComposing || event.inputType === 'insertCompositionText') {
        return;
      }
      event.preventDefault();
      const span = currentSpan();
      const root = rootRef.current;
      const targetSpan = () => {
        const range = event.getTargetRanges()[0];
        return range && root ? rangeToSpan(root, range) : null;
      };
      switch (event.inputType) {
        case 'insertText':
        case 'insertReplacementText': {
          const text = event.data ?? event.dataTransfer?.getData('text/plain') ?? '';
          const at = event.inputType === 'insertReplacementText' ? (targetSpan() ?? span) : span;
          edit((current) => replaceRange(current, at, text), 'typing', /\s/.test(text));
          if (text === '@') {
            setPicker({ at: at.start, rect: null, active: 0 });
          }
          return;
        }
        case 'insertParagraph':
        case 'insertLineBreak':
          edit((current) => replaceRange(current, span, '\n'), 'typing', true);
          return;
        case 'insertFromPaste':
        case 'insertFromDrop':
        case 'insertFromYank': {
          // Paste and drop arrive as their own events; this is the fallback for other sources.
          const text = event.dataTransfer?.getData('text/plain') ?? event.data ?? '';
          if (text !== '') {
            edit((current) => replaceRange(current, span, text), 'other');
          }
          return;
        }
        case 'deleteContentBackward':
          edit((current) => deleteBackward(current, span), 'deleting');
          return;
        case 'deleteContentForward':
          edit((current) => deleteForward(current, span), 'deleting');
          return;
        case 'deleteWordBackward':
        case 'deleteWordForward':
        case 'deleteSoftLineBackward':
        case 'deleteSoftLineForward':
        case 'deleteHardLineBackward':
        case 'deleteHardLineForward': {
          const backward = event.inputType.endsWith('Backward');
          const byWord = event.inputType.startsWith('deleteWord');
          edit((current) => {
            if (span.start !== span.end) {
              return replaceRange(current, span, '');
            }
            const direction = backward ? -1 : 1;
            const to = byWord ? wordBoundary(current, span.start, direction) : lineBoundary(current, span.start, direction);
            const range = backward ? { start: to, end: span.start } : { start: span.start, end: to };
            // A soft line (a wrapped one) is the browser's to know; its own range is better when it has one.
            const target = byWord ? null : targetSpan();
            return replaceRange(current, target !== null && target.start !== target.end ? target : range, '');
          }, 'deleting');
          return;
        }
        case 'historyUndo':
          draft.undo();
          return;
        case 'historyRedo':
          draft.redo();
          return;
        default:
          // Formatting, cut-by-drag and the rest: the prompt is plain text, and cut/drop have their own handlers.
          return;
      }
    },
    [currentSpan, edit, draft],
  );

  // Native listener: React's onBeforeInput is a different, older event without `inputType`.
  useEffect(() => {
    const root = rootRef.current;
    if (!root) {
      return;
    }
    root.addEventListener('beforeinput', onBeforeInput);
    return () => root.removeEventListener('beforeinput', onBeforeInput);
  }, [onBeforeInput, domGeneration]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.nativeEvent.isComposing || event.keyCode === 229) {
      return;
    }
    const mod = platformIsMac ? event.metaKey : event.ctrlKey;
    const key = event.key.toLowerCase();
    if (pickerOpen) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setPicker((current) => (current === null || options.length === 0 ? current : { ...current, active: (Math.max(0, activeOption) + step + options.length) % options.length }));
        return;
      }
      if ((event.key === 'Enter' || event.key === 'Tab') && !mod && options[activeOption] !== undefined) {
        event.preventDefault();
        pick(options[activeOption].itemId);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        setPicker(null);
        return;
      }
    }
    if (mod && !event.altKey && (key === 'z' || key === 'y')) {
      // The prompt's own undo; not the canvas's (stopPropagation keeps window-level handlers out).
      event.preventDefault();
      event.stopPropagation();
      if (key === 'y' || event.shiftKey) {
        draft.redo();
      } else {
        draft.undo();
      }
      return;
    }
    if (mod && event.key === 'Enter') {
      // No line break: the composer's window-level shortcut generates.
      event.preventDefault();
    }
  };

  // The caret as it moves (for insertions from the canvas), and the picker closes when it leaves the `@…`.
  useEffect(() => {
    const onSelectionChange = () => {
      const root = rootRef.current;
      if (!root || composingFrom.current !== null) {
        return;
      }
      const span = readSelection(root);
      if (span !== null) {
        draft.caret.current = span;
      }
    };
    document.addEventListener('selectionchange', onSelectionChange);
    return () => document.removeEventListener('selectionchange', onSelectionChange);
  }, [draft.caret]);

  // #endregion

  // #region Clipboard and drag and drop

  const onCopy = (event: ClipboardEvent<HTMLDivElement>, cut: boolean) => {
    event.preventDefault();
    const span = currentSpan();
    if (span.start === span.end) {
      return;
    }
    const slice = sliceDoc(doc, span);
    event.clipboardData.setData('text/plain', toPromptString(slice));
    event.clipboardData.setData(promptClipboardMime, serializeDraft(slice));
    if (cut) {
      edit((current) => replaceRange(current, span, ''), 'other');
    }
  };

  const onPaste = (event: ClipboardEvent<HTMLDivElement>) => {
    event.preventDefault();
    const span = currentSpan();
    const ours = event.clipboardData.getData(promptClipboardMime);
    const pasted = ours !== '' ? parseDraft(ours) : null;
    if (pasted !== null && pasted.length > 0) {
      edit((current) => replaceRange(current, span, pasted), 'other');
      return;
    }
    const text = event.clipboardData.getData('text/plain');
    if (text !== '') {
      edit((current) => replaceRange(current, span, text), 'other');
    }
  };

  const dragKind = (transfer: DataTransfer): 'chip' | 'item' | 'text' | 'other' => {
    const types = Array.from(transfer.types);
    if (types.includes(promptChipMime)) {
      return 'chip';
    }
    if (types.includes(canvasItemMime)) {
      return 'item';
    }
    return types.includes('text/plain') && !types.includes('Files') ? 'text' : 'other';
  };

  const onDragOver = (event: DragEvent<HTMLDivElement>) => {
    // Always take the event: a file dropped on an editable would otherwise be inserted or opened.
    event.preventDefault();
    event.stopPropagation();
    const kind = dragKind(event.dataTransfer);
    event.dataTransfer.dropEffect = kind === 'chip' ? 'move' : kind === 'other' ? 'none' : 'copy';
    setDropping(kind !== 'other');
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    // The composer around takes drops that miss the prompt; this one is the prompt's.
    event.stopPropagation();
    setDropping(false);
    const root = rootRef.current;
    if (!root) {
      return;
    }
    const at = offsetAtPoint(root, event.clientX, event.clientY) ?? draft.caret.current.end;
    const kind = dragKind(event.dataTransfer);
    if (kind === 'chip') {
      const from = Number(event.dataTransfer.getData(promptChipMime));
      edit((current) => (Number.isInteger(from) ? moveChip(current, from, at) : null), 'other');
    } else if (kind === 'item') {
      const dragged = readDrag<CanvasItemDrag>(event.dataTransfer, canvasItemMime);
      if (dragged && typeof dragged.itemId === 'string') {
        edit((current) => replaceRange(current, collapsed(at), [{ kind: 'image', itemId: dragged.itemId }]), 'other');
      }
    } else if (kind === 'text') {
      const text = event.dataTransfer.getData('text/plain');
      edit((current) => replaceRange(current, collapsed(at), text), 'other');
    } else {
      return;
    }
    focusNext.current = true;
  };

  // #endregion

  // Put the selection where the model says, after every edit (and focus when asked).
  const lastFocusRequest = useRef({ focusRequest, focusTick });
  useLayoutEffect(() => {
    const root = rootRef.current;
    if (!root) {
      return;
    }
    if (lastFocusRequest.current.focusRequest !== focusRequest || lastFocusRequest.current.focusTick !== focusTick) {
      lastFocusRequest.current = { focusRequest, focusTick };
      focusNext.current = true;
    }
    if (focusNext.current) {
      focusNext.current = false;
      root.focus({ preventScroll: true });
    }
    if (root.ownerDocument.activeElement === root) {
      placeSelection(root, selection);
    }
  }, [selectionSeq, domGeneration, focusRequest, focusTick, selection]);

  const children: ReactNode[] = [];
  let offset = 0;
  let chipIndex = 0;
  let previous: Segment['kind'] | null = null;
  doc.forEach((segment, index) => {
    if (segment.kind === 'image') {
      if (previous !== 'text') {
        children.push(
          <span key={`gap-${index}`} data-kind="gap" data-start={offset}>
            {gapText}
          </span>,
        );
      }
      const state = chipState(segment, itemsById, unconfirmed);
      children.push(
        <PromptChip
          key={`chip-${chipIndex}`}
          number={chipIndex + 1}
          start={offset}
          state={state}
          itemLabel={state.kind === 'ok' ? descriptions.get(state.item.id)?.label : undefined}
          thumbnailUrl={state.kind === 'ok' ? assetUrl(state.item.assetSha256, 64) : null}
          onOpenMenu={(chip, anchor) => setChipMenu({ index: chip, anchor })}
        />,
      );
      chipIndex++;
      offset += 1;
    } else {
      children.push(
        <span key={`text-${index}`} data-kind="text" data-start={offset}>
          {segment.text}
        </span>,
      );
      offset += segment.text.length;
    }
    previous = segment.kind;
  });
  if (previous === 'image') {
    children.push(
      <span key="gap-end" data-kind="gap" data-start={offset}>
        {gapText}
      </span>,
    );
  }
  const last = doc.at(-1);
  if (last?.kind === 'text' && last.text.endsWith('\n')) {
    children.push(<br key="filler" data-kind="filler" data-start={offset} />);
  }

  return (
    <Box sx={{ position: 'relative', flex: 1, minWidth: 0 }}>
      {doc.length === 0 ? (
        <Box
          aria-hidden
          sx={{ position: 'absolute', inset: 0, px: 1.5, py: '6px', color: 'text.disabled', pointerEvents: 'none', lineHeight: '28px', overflow: 'hidden' }}
        >
          The cat in @… A cat as a 16-bit pixel-art hero (type @ to add a board image)
        </Box>
      ) : null}
      <Box
        key={domGeneration}
        ref={rootRef}
        contentEditable
        suppressContentEditableWarning
        role="textbox"
        aria-label="Prompt"
        aria-multiline="true"
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        aria-placeholder="Describe the image; type @ to add a board image"
        aria-controls={pickerOpen ? listboxId : undefined}
        aria-activedescendant={pickerOpen && activeOption >= 0 ? pickerOptionId(listboxId, activeOption) : undefined}
        aria-autocomplete="list"
        spellCheck
        data-length={offset}
        onKeyDown={onKeyDown}
        onCopy={(event) => onCopy(event, false)}
        onCut={(event) => onCopy(event, true)}
        onPaste={onPaste}
        onDragOver={onDragOver}
        onDragLeave={() => setDropping(false)}
        onDrop={onDrop}
        onBlur={() => setPicker(null)}
        onCompositionStart={() => {
          composingFrom.current = currentSpan();
        }}
        onCompositionEnd={(event) => {
          const from = composingFrom.current ?? draft.caret.current;
          composingFrom.current = null;
          const text = event.data;
          edit((current) => replaceRange(current, from, text), 'typing', true);
          focusNext.current = true;
          setDomGeneration((generation) => generation + 1);
        }}
        sx={(theme) => ({
          minHeight: 72,
          maxHeight: 124,
          overflowY: 'auto',
          px: 1.5,
          py: '6px',
          lineHeight: '28px',
          fontSize: 15,
          whiteSpace: 'pre-wrap',
          overflowWrap: 'anywhere',
          borderRadius: 1,
          border: `1px solid ${invalid ? theme.palette.error.main : theme.palette.divider}`,
          bgcolor: 'background.paper',
          outline: dropping ? `2px dashed ${theme.palette.primary.main}` : 'none',
          '&:focus': { borderColor: invalid ? theme.palette.error.main : theme.palette.primary.main, boxShadow: `0 0 0 1px ${invalid ? theme.palette.error.main : theme.palette.primary.main}` },
        })}
      >
        {children}
      </Box>
      <ReferencePicker
        open={pickerOpen}
        anchorRect={picker?.rect ?? null}
        listboxId={listboxId}
        options={options}
        filtered={(items?.length ?? 0) > 0}
        activeIndex={activeOption}
        onPick={pick}
      />
      <ChipMenu
        menu={chipMenu}
        doc={doc}
        items={items}
        descriptions={descriptions}
        assetUrl={assetUrl}
        onClose={() => setChipMenu(null)}
        edit={(change) => edit(change, 'other')}
        onDone={() => setFocusTick((tick) => tick + 1)}
      />
    </Box>
  );
}
