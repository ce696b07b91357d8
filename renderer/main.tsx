import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { NoAccessPage } from './components/NoAccessPage';
import { ErrorReporterProvider } from './state/error-reporter';
import { StudioClientProvider } from './state/studio-client-context';
import { ThemeModeProvider } from './state/theme-mode';
import { createStudioClient } from './transport/create-client';

// A file dropped outside a drop target would make the page navigate to it and lose the session.
// The canvas will handle drops on itself; everywhere else they do nothing.
for (const type of ['dragover', 'drop'] as const) {
  window.addEventListener(type, (event) => event.preventDefault());
}

const container = document.getElementById('root');
if (!container) {
  throw new Error('index.html has no #root element');
}

// Created once, outside React, so StrictMode's double effects cannot open two connections.
const choice = createStudioClient(window);

createRoot(container).render(
  <StrictMode>
    <ThemeModeProvider>
      {choice.kind === 'client' ? (
        <StudioClientProvider client={choice.client}>
          <ErrorReporterProvider>
            <App />
          </ErrorReporterProvider>
        </StudioClientProvider>
      ) : (
        <NoAccessPage />
      )}
    </ThemeModeProvider>
  </StrictMode>,
);
